package main

// user is someone logged in, with the uploads they have opened.
type user struct {
	name     string
	sessions []*session
}

// session is one upload; data is its large part.
type session struct {
	id     int
	owner  *user
	data   []byte
	closed bool
}

// server finds users by name. A user stays logged in after closing an
// upload, and may still have other uploads open.
type server struct {
	users map[string]*user
}

func newServer() *server {
	return &server{users: map[string]*user{}}
}

func (srv *server) login(name string) *user {
	u := &user{name: name}
	srv.users[name] = u
	return u
}

func (srv *server) open(u *user, id, size int) *session {
	s := &session{id: id, owner: u, data: make([]byte, size)}
	u.sessions = append(u.sessions, s)
	return s
}

// close ends an upload.
//
// TODO: run the check first. It closes most uploads, forces a collection
// and counts the users, sessions and uploads the GC freed. Make close let
// the GC free a closed upload, its session and its data, while the user
// stays logged in and their open uploads keep working.
func (srv *server) close(s *session) {
	s.closed = true
}

// active counts a user's open uploads.
func (u *user) active() int {
	n := 0
	for _, s := range u.sessions {
		if !s.closed {
			n++
		}
	}
	return n
}

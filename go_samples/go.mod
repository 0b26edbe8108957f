module goleaklab/samples

go 1.27

require go.uber.org/goleak v1.3.0

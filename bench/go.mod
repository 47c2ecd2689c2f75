module github.com/registrar/registrar/bench

go 1.26.8

package opkit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/pkg/opkit"
)

// TestNewFetcherOneHostCannotHoldEverySlot: the kit's fetcher is also the
// one an OP gives op/zitadel's Clients.KeyFetcher for the jwks_uri of
// clients, which anyone who registers chooses. A jwks_uri that never
// answers holds only a few of the fetcher's slots, so the other clients'
// key sets (and Registrar's own documents) are still fetched.
func TestNewFetcherOneHostCannotHoldEverySlot(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 100)
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hanging.Close()
	defer close(release) // runs before Close: the hanging requests end first
	fine := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	defer fine.Close()

	f := opkit.NewFetcher(opkit.FetcherOptions{
		AllowHosts: []string{strings.TrimPrefix(hanging.URL, "http://"), strings.TrimPrefix(fine.URL, "http://")},
		AllowHTTP:  true,
		Timeout:    time.Hour, // the hanging requests end when the test releases them
	})
	const attackers = 40 // more than the fetcher's slots in all
	refused := make(chan error, attackers)
	for range attackers {
		go func() {
			_, err := f.Get(context.Background(), hanging.URL+"/jwks", "application/json")
			refused <- err
		}()
	}
	// Every attacking request has either reached the hanging host or been
	// refused at once.
	inFlight, busy := 0, 0
	for inFlight+busy < attackers {
		select {
		case <-arrived:
			inFlight++
		case err := <-refused:
			if !errors.Is(err, fetch.ErrBusy) {
				t.Fatalf("an attacking request ended with %v, want ErrBusy", err)
			}
			busy++
		}
	}
	if _, err := f.Get(context.Background(), fine.URL+"/jwks", "application/json"); err != nil {
		t.Fatalf("another host, with %d requests hanging at one host: %v", inFlight, err)
	}
}

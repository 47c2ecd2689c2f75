package server

import (
	"net/netip"

	"github.com/labstack/echo/v4"

	"github.com/registrar/registrar/internal/fetch"
	"github.com/registrar/registrar/internal/ratelimit"
)

// outboundCaller names the client address (IPv6 by /64, as the rate limit
// keys it) on the request's context as the caller of any outbound fetch
// the request causes, so that the outbound client can bound the fetches
// in flight for one client (fetch.Options.MaxPerCaller).
func (s *Server) outboundCaller(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if addr, err := netip.ParseAddr(c.RealIP()); err == nil {
			r := c.Request()
			c.SetRequest(r.WithContext(fetch.WithCaller(r.Context(), ratelimit.Key(addr))))
		}
		return next(c)
	}
}

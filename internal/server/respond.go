package server

import (
	"strconv"

	"github.com/labstack/echo/v4"
)

// writeJSON sends a complete JSON body with its Content-Length, so that a
// client response (3.5 to 5 KiB) is never chunked: less to write and to
// parse, and the client knows the size before reading.
func writeJSON(c echo.Context, status int, body []byte) error {
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(status, echo.MIMEApplicationJSON, body)
}

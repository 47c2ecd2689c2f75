module github.com/registrar/registrar/e2e/mcp/gosdk

go 1.26.8

require github.com/modelcontextprotocol/go-sdk v1.8.0

require (
	github.com/segmentio/asm v1.2.1 // indirect
	github.com/segmentio/encoding v0.5.4 // indirect
	golang.org/x/oauth2 v0.35.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

require github.com/registrar/registrar v0.0.0

replace github.com/registrar/registrar => ../../..

module github.com/registrar/registrar/e2e/mcp/gosdk

go 1.26

require github.com/modelcontextprotocol/go-sdk v1.8.0

require (
	github.com/segmentio/asm v1.1.3 // indirect
	github.com/segmentio/encoding v0.5.4 // indirect
	golang.org/x/oauth2 v0.35.0 // indirect
	golang.org/x/sys v0.41.0 // indirect
)

# syntax=docker/dockerfile:1
# Registrar: a static binary on distroless, running as nonroot. No keys are
# baked in: mount them and set REGISTRAR_KEYS_DIR (default here: /keys).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY pkg ./pkg
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/registrar ./cmd/registrar

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/registrar /registrar
ENV REGISTRAR_KEYS_DIR=/keys
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/registrar"]
CMD ["serve"]

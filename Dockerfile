# syntax=docker/dockerfile:1
# Registrar: a static binary on distroless, running as nonroot. No keys are
# baked in: mount them and set REGISTRAR_KEYS_DIR (default here: /keys).
#
# The base images are named by tag here. `make pin-images` (Docker buildx
# and access to the registries) resolves each tag and appends its digest,
#   FROM gcr.io/distroless/static-debian12:nonroot@sha256:<digest>
# (the tag stays for readers; the digest decides); run it in the release
# pipeline, or let Dependabot or Renovate keep the digests current.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY pkg ./pkg
ARG VERSION=unknown
ARG COMMIT=unknown
ARG BUILD_DATE=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.buildDate=${BUILD_DATE}" \
      -o /out/registrar ./cmd/registrar

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=unknown
ARG COMMIT=unknown
ARG BUILD_DATE=unknown
LABEL org.opencontainers.image.title="registrar" \
      org.opencontainers.image.description="Stateless OAuth 2.0 / OpenID Connect Dynamic Client Registration" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.created="${BUILD_DATE}"
COPY --from=build /out/registrar /registrar
ENV REGISTRAR_KEYS_DIR=/keys
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/registrar"]
CMD ["serve"]

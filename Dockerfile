# trapmux: SNMP trap multiplexer (SPEC §12).
#
#   docker build -t trapmux .
#   docker run -d -p 162:162/udp -v trapmux-run:/run/trapmux trapmux
#
# Build arguments:
#   SWIFT_IMAGE     image of the build stage (default: the official Swift image, which compiles trapmux).
#   RUNTIME_IMAGE   image of the runtime stage (default: debian:bookworm-slim; must be Debian 12 / bookworm
#                   or compatible, since the binary links bookworm's libnetsnmp.so.40).
#   TRAPMUX_BINARY  path, inside the build context, of a trapmux binary built on a bookworm host with
#                   `swift build -c release --product trapmux --static-swift-stdlib`. When set, the build
#                   stage copies it instead of compiling, so SWIFT_IMAGE needs no Swift toolchain (used
#                   where the build cannot reach the package registry, e.g. scripts/docker-smoke). Its man
#                   page (`swift package generate-manual`) must lie beside it as TRAPMUX_BINARY.1.
#   TRAPMUX_UID     numeric uid/gid of the `trapmux` user (default 10162), for host bind mounts of the socket.
#   TRAPMUX_VERSION the version `trapmux --version` shows when the image compiles trapmux (the context has no
#                   .git, so without it the build says 0.0.0-unknown); pass "$(scripts/build-version)". Also
#                   the OCI version label.
#   TRAPMUX_REVISION, TRAPMUX_SOURCE   values of the OCI labels (git commit, URL).

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------------
# Build: compile trapmux (Swift standard library and Foundation linked statically), or take a host binary.
# Debug info is stripped when the stage has `strip` (the symbol table stays, for readable backtraces).
FROM ${SWIFT_IMAGE} AS build
ARG TRAPMUX_BINARY=
ARG TRAPMUX_VERSION=
WORKDIR /src
COPY . .
# The man page comes from argument-parser's manual plugin (a release build of every product, then
# generate-manual on trapmux); with a prebuilt binary it is the TRAPMUX_BINARY.1 beside it.
RUN set -eu; \
    mkdir -p /out; \
    if [ -n "${TRAPMUX_BINARY}" ]; then \
        echo "using the prebuilt binary ${TRAPMUX_BINARY}"; \
        cp "${TRAPMUX_BINARY}" /out/trapmux; \
        test -f "${TRAPMUX_BINARY}.1" || { echo "no man page ${TRAPMUX_BINARY}.1 beside the binary" >&2; exit 1; }; \
        cp "${TRAPMUX_BINARY}.1" /out/trapmux.1; \
    else \
        apt-get update; \
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsnmp-dev libssl-dev pkg-config; \
        if [ -n "${TRAPMUX_VERSION}" ]; then export TRAPMUX_VERSION; else unset TRAPMUX_VERSION; fi; \
        swift build -c release --product trapmux --static-swift-stdlib; \
        cp "$(swift build -c release --show-bin-path)/trapmux" /out/trapmux; \
        swift package generate-manual; \
        cp .build/plugins/GenerateManual/outputs/TrapMux/trapmux.1 /out/trapmux.1; \
        rm -rf /var/lib/apt/lists/*; \
    fi; \
    chmod 0755 /out/trapmux; \
    if command -v strip >/dev/null 2>&1; then strip --strip-debug /out/trapmux; fi

# ---------------------------------------------------------------------------------------------------
# MIB text: the IETF MIBs (SNMPv2-SMI/TC/CONF/MIB, RFC1213-MIB, SNMP-*-MIB, …) that Debian ships only
# inside erlang-snmp. The package is downloaded and unpacked, not installed (no Erlang in the image).
FROM ${RUNTIME_IMAGE} AS mibs
# HCNUM-TC, which net-snmp's UCD-SNMP-MIB imports and Debian does not ship (see the file's header).
COPY config/standard-mibs/ /out/mibs/
RUN set -eu; \
    apt-get update; \
    mkdir -p /tmp/erlang-snmp /out/mibs; \
    chown _apt /tmp/erlang-snmp; \
    cd /tmp/erlang-snmp; \
    apt-get download erlang-snmp; \
    dpkg -x erlang-snmp_*.deb x; \
    find x -path '*/mibs/*.mib' ! -name 'OTP-*' -exec cp {} /out/mibs/ \; ; \
    test -f /out/mibs/SNMPv2-MIB.mib; \
    chmod 0644 /out/mibs/*; \
    echo "standard MIBs: $(ls /out/mibs | wc -l) files"; \
    rm -rf /tmp/erlang-snmp /var/lib/apt/lists/*

# ---------------------------------------------------------------------------------------------------
# Runtime: bookworm-slim with the net-snmp runtime library, the MIB text and a non-root user that may
# bind port 162 through a file capability on the binary.
FROM ${RUNTIME_IMAGE} AS runtime
ARG RUNTIME_IMAGE
ARG TRAPMUX_UID=10162
ARG TRAPMUX_VERSION=
ARG TRAPMUX_REVISION=unknown
ARG TRAPMUX_SOURCE=
LABEL org.opencontainers.image.title="trapmux" \
      org.opencontainers.image.description="SNMP trap multiplexer: receives traps on UDP/162 (IPv4 and IPv6), decodes and classifies them, and fans them out to subscribers over the Unix socket /run/trapmux/trapmux.sock" \
      org.opencontainers.image.version="${TRAPMUX_VERSION}" \
      org.opencontainers.image.revision="${TRAPMUX_REVISION}" \
      org.opencontainers.image.source="${TRAPMUX_SOURCE}" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"

COPY --from=build /out/trapmux /usr/local/bin/trapmux
COPY --from=build /out/trapmux.1 /usr/local/share/man/man1/trapmux.1
COPY --from=mibs /out/mibs/ /usr/share/trapmux/mibs/
COPY config/docker.toml /etc/trapmux/trapmux.toml

# libcap2-bin only lives for this layer: setcap is run here, in the final stage, because not every
# builder keeps the security.capability xattr across COPY --from.
RUN set -eu; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libsnmp40 libssl3 libsnmp-base libcap2-bin; \
    setcap cap_net_bind_service+ep /usr/local/bin/trapmux; \
    getcap /usr/local/bin/trapmux | grep -q cap_net_bind_service; \
    DEBIAN_FRONTEND=noninteractive apt-get purge -y libcap2-bin; \
    DEBIAN_FRONTEND=noninteractive apt-get autoremove -y; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/* /var/log/apt/* /var/log/dpkg.log; \
    groupadd --system --gid "${TRAPMUX_UID}" trapmux; \
    useradd --system --uid "${TRAPMUX_UID}" --gid trapmux --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin trapmux; \
    mkdir -p /run/trapmux /etc/trapmux/mibs /var/lib/trapmux; \
    chown trapmux:trapmux /run/trapmux /var/lib/trapmux; \
    chmod 0750 /run/trapmux /var/lib/trapmux; \
    chmod 0644 /etc/trapmux/trapmux.toml; \
    /usr/local/bin/trapmux --version; \
    /usr/local/bin/trapmux check-config /etc/trapmux/trapmux.toml; \
    mkdir -p /usr/local/share/bash-completion/completions /usr/local/share/zsh/site-functions \
        /usr/local/share/fish/vendor_completions.d; \
    trapmux --generate-completion-script bash >/usr/local/share/bash-completion/completions/trapmux; \
    trapmux --generate-completion-script zsh >/usr/local/share/zsh/site-functions/_trapmux; \
    trapmux --generate-completion-script fish >/usr/local/share/fish/vendor_completions.d/trapmux.fish; \
    chmod 0644 /usr/local/share/man/man1/trapmux.1

USER trapmux
VOLUME /run/trapmux
# snmpEngineBoots (SNMPv3) outlives the container here.
VOLUME /var/lib/trapmux
EXPOSE 162/udp
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
    CMD ["trapmux", "stats", "--socket", "/run/trapmux/trapmux.sock"]
ENTRYPOINT ["trapmux"]
CMD ["serve", "--config", "/etc/trapmux/trapmux.toml"]

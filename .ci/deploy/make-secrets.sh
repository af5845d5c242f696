#!/usr/bin/env bash
# Creates what compose.yaml needs that nobody should type: the session key shared by the
# replicas and the database password (in .env, which compose reads). The DMS secret key and
# the OpenID client secret are yours to put in secrets/dms-secret-key and
# secrets/oidc-client-secret.
set -euo pipefail
cd "$(dirname "$0")"
# The directory keeps other users of this machine out; the files stay readable by the
# console's user inside the containers (uid 10001), which compose mounts them for.
mkdir -p secrets
chmod 700 secrets
[ -s secrets/session-key ] || openssl rand -hex 64 > secrets/session-key
[ -s .env ] || (umask 077 && printf 'POSTGRES_PASSWORD=%s\n' "$(openssl rand -hex 24)" > .env)
for file in dms-secret-key oidc-client-secret; do
    [ -e "secrets/$file" ] || { touch "secrets/$file"; echo "put the secret in .ci/deploy/secrets/$file"; }
done
chmod 444 secrets/*

#!/bin/sh
# One database and one role per service: no service can read another's data.
set -eu
for svc in intake routing supervision accountability; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE huiyin_$svc LOGIN PASSWORD '$HUIYIN_DB_PASSWORD';
CREATE DATABASE huiyin_$svc OWNER huiyin_$svc;
REVOKE ALL ON DATABASE huiyin_$svc FROM PUBLIC;
SQL
done

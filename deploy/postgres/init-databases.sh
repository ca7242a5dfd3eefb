#!/bin/sh
# One database and one role per service: no service can read another's data. Run once by
# the postgres image on an empty data directory (docker-entrypoint-initdb.d).
set -eu
for svc in intake routing supervision accountability; do
  # The password goes through a psql variable, quoted by psql (:'password'), never pasted
  # into the SQL text.
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="huiyin_$svc" -v password="$HUIYIN_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done

"""Test support shipped with the kit: real PostgreSQL and RabbitMQ for every package's tests."""

"""The hub's store on PostgreSQL (psycopg 3): schema migrations, the connection the log code
speaks through, the pool and the news channel several hubs share. Imported only for a
`postgresql://` store, so a laptop hub never needs psycopg."""

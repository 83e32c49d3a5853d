"""The SQLite store: schema, migrations, and every SQL statement. Imports neither bot nor annotate."""

"""What the local org enforces and derives on create, update, upsert and delete."""

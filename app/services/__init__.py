"""What the routes ask for, answered from the store: one module per kind of question."""

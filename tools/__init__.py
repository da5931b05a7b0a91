"""Developer tools that are not part of the product (code generation)."""

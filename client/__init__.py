"""What the platform's clients run, never its services: reading and checking documents (the PDF,
the verification page, the book's audit) and the health check the deployments probe with."""

"""The seven deedflow services, one package each; they import shared/ and gen/, never each other."""

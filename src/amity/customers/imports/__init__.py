"""Import of people and companies from CSV, XLSX and vCard files (see jobs.py)."""

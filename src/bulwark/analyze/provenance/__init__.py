"""Evidence of AI generation that a file carries: C2PA, IPTC/XMP, generator
metadata, invisible watermarks. Absence of evidence proves nothing."""

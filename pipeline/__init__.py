"""Annual plans of Taiwanese agencies, kept as YAML and rendered as official documents.

Stages: source (bytes → located YAML nodes) → loader (nodes → Plan model, checked)
→ tree (Plan → neutral Document, numbered) → writers (Document → DOCX / HTML).
"""

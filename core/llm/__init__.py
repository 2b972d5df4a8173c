"""LLM extraction of posting fields and disability suitability, with an offline rule path and PII masking."""

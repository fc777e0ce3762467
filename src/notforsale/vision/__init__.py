"""Models that look at images: faces (CenterFace) and text (PP-OCR through rapidocr)."""

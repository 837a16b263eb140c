"""Reports: SVG charts (``charts``) shared by pages and PDFs, and the PDF renderer (``pdf``)."""

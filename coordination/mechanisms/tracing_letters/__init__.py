"""M1 close-contact tracing letters (协查函) between regions: request–reply with per-person items."""

"""Pure views: data in, text or JSON out; nothing here prints, reads files or the environment."""

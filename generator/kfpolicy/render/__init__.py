"""Pure renderers: catalogue -> {relative path: text}. Writing to disk happens in kfpolicy.generate."""

-- The pictures of link previews this server copied (bytes in the attachment store under
-- `link-images/<id>`). Named by their bytes, so one row per picture however many cards show it; the
-- hourly sweep deletes those no message and no cached page names any more.
CREATE TABLE link_images (
  id        text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}\.(png|jpg|gif|webp)$'),
  stored_at timestamptz NOT NULL DEFAULT now()
);

-- Which messages and cached pages name a picture: the sweep's "still shown?" test reads these small
-- partial indexes instead of every message.
CREATE INDEX messages_link_image_idx ON messages ((link_preview #>> '{image,id}'))
  WHERE link_preview #>> '{image,id}' IS NOT NULL;
CREATE INDEX link_previews_image_idx ON link_previews ((preview #>> '{image,id}'))
  WHERE preview #>> '{image,id}' IS NOT NULL;

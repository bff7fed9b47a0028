-- Link previews: the first web address of a message, shown under it as a card (the page's title,
-- description and site name; never its images, which would load from elsewhere on every reader's device).
-- Filled after the message is accepted by the `unfurl-message` job; null until then, or when the page had
-- nothing to show. Adding a nullable column without a default does not rewrite the table.
ALTER TABLE messages ADD COLUMN link_preview jsonb;

-- What a page said when it was last fetched, so the same link in many messages is fetched once a day.
-- `preview` is null when the page could not be read or had nothing to show.
CREATE TABLE link_previews (
  url        text PRIMARY KEY CHECK (char_length(url) <= 2048),
  preview    jsonb,
  fetched_at timestamptz NOT NULL DEFAULT now()
);

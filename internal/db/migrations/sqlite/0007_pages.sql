-- What an admin wrote when paging by hand; shown in every delivery.
ALTER TABLE pages ADD COLUMN message TEXT NOT NULL DEFAULT '';

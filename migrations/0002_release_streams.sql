-- Issue 3: the stream a kernel belongs to (for previous_version and newest)
-- and its ABI key. src/versions/abi.ts computes both for new rows; this
-- fills rows recorded before, with the same rule: an Ubuntu
-- linux-image-<abi>-<flavour> belongs to the stream linux-image-<flavour>.
ALTER TABLE releases ADD COLUMN stream TEXT;
ALTER TABLE releases ADD COLUMN abi TEXT;
UPDATE releases SET stream = distro || '/' || distro_release || '/' ||
  CASE WHEN distro = 'ubuntu' AND flavour IS NOT NULL AND package GLOB 'linux-image-[0-9]*'
       THEN 'linux-image-' || flavour ELSE package END || '/' || COALESCE(flavour, '');
CREATE INDEX releases_stream ON releases (kind, stream);

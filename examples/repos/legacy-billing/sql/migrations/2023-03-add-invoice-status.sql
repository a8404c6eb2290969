-- run manually on db01 before deploying release 2023.03
ALTER TABLE invoices ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'open';
UPDATE invoices SET status = 'sent' WHERE sent_at IS NOT NULL;

-- reverse charge flag for EU customers (ticket FIN-1182)
ALTER TABLE customers ADD COLUMN reverse_charge TINYINT(1) NOT NULL DEFAULT 0;

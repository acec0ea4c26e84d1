CREATE SEQUENCE invoice_no START 1000 INCREMENT 10 CACHE 5;
CREATE DOMAIN positive_amount AS numeric(19,4) DEFAULT 1 NOT NULL CHECK (VALUE > 0);
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE sales (id bigint PRIMARY KEY, region text, amount positive_amount, contact email);
CREATE MATERIALIZED VIEW sales_by_region AS SELECT region, sum(amount) AS total, count(*) AS n FROM sales GROUP BY region;
CREATE UNIQUE INDEX uq_sales_by_region ON sales_by_region (region);
CREATE INDEX idx_sales_by_region_total ON sales_by_region (total);

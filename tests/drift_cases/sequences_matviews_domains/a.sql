CREATE SEQUENCE invoice_no START 1000 INCREMENT 1;
CREATE SEQUENCE old_counter;
CREATE DOMAIN positive_amount AS numeric(19,4) CHECK (VALUE > 0);
CREATE TABLE sales (id bigint PRIMARY KEY, region text, amount positive_amount);
CREATE MATERIALIZED VIEW sales_by_region AS SELECT region, sum(amount) AS total FROM sales GROUP BY region;
CREATE UNIQUE INDEX uq_sales_by_region ON sales_by_region (region);

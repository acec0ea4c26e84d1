CREATE SCHEMA billing;
CREATE SCHEMA scratch;
CREATE TABLE billing.invoices (id bigint PRIMARY KEY, amount numeric(19,4) NOT NULL);
CREATE TABLE public.invoices (id bigint PRIMARY KEY, amount integer);
CREATE TABLE scratch.tmp (id integer);

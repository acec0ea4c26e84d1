CREATE SCHEMA "Sales Data";
CREATE TABLE "Sales Data"."Order Items" (
    "ID" bigint PRIMARY KEY,
    "select" integer,
    "Unit Price" numeric(10,2)
);
CREATE TABLE "user" (id bigint PRIMARY KEY, "group" text);

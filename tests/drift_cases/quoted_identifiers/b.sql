CREATE SCHEMA "Sales Data";
CREATE TABLE "Sales Data"."Order Items" (
    "ID" bigint PRIMARY KEY,
    "select" bigint NOT NULL DEFAULT 0,
    "Unit Price" numeric(19,4),
    "from" text
);
CREATE INDEX "Idx Order Items Select" ON "Sales Data"."Order Items" ("select", "Unit Price" DESC);
CREATE TABLE "user" (id bigint PRIMARY KEY, "group" text, "order" integer CHECK ("order" > 0));
CREATE TYPE "Mood" AS ENUM ('happy', 'sad', 'it''s complicated');

create table account (id bigint primary key, name varchar(50) not null);

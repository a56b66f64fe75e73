package io.asyncsql.test.autoconfigure;

/**
 * A row of the tests' {@code account} table.
 *
 * @param id the primary key
 * @param name the name
 */
record Account(long id, String name) {

}

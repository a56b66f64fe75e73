package io.asyncsql.benchmarks;

import org.springframework.jdbc.core.RowMapper;

/**
 * One row of {@code bench_item}, the object every read maps rows to.
 *
 * @param id the primary key
 * @param name the name
 * @param amount the amount
 */
record Item(int id, String name, int amount) {

	/** Maps a JDBC row of {@code id, name, amount}. */
	static final RowMapper<Item> JDBC_MAPPER = (rs, rowNum) -> new Item(rs.getInt(1), rs.getString(2), rs.getInt(3));

}

package io.asyncsql.sample;

/**
 * A row of the {@code users} table.
 *
 * @param id the generated id
 * @param name the user's name, unique
 * @since 0.1.0
 */
public record User(long id, String name) {

	/**
	 * Longest name the {@code users} table holds.
	 */
	public static final int MAX_NAME_LENGTH = 50;

}

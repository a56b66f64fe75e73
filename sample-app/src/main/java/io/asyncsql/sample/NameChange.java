package io.asyncsql.sample;

import java.time.LocalDateTime;

/**
 * A row of the {@code user_audit} table: one rename of a user.
 *
 * @param oldName the name before
 * @param newName the name after
 * @param changedAt when the rename was made, in the database's time zone
 * @since 0.1.0
 */
public record NameChange(String oldName, String newName, LocalDateTime changedAt) {

}

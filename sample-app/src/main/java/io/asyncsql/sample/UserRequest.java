package io.asyncsql.sample;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * Body of the requests that create or rename a user, checked before anything reaches the
 * database.
 *
 * @param name the user's (new) name
 * @since 0.1.0
 */
public record UserRequest(@NotBlank(message = "name is required") @Size(max = User.MAX_NAME_LENGTH,
		message = "name must be at most {max} characters") @Nullable String name) {

	/**
	 * Return the name, once validation has made sure there is one.
	 * @return the name
	 */
	String requiredName() {
		if (this.name == null) {
			throw new IllegalStateException("UserRequest was not validated");
		}
		return this.name;
	}

}

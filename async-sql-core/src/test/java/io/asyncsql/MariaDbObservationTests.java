package io.asyncsql;

/**
 * {@link ObservationOnServerTests} on {@link TestDatabase#MARIADB}.
 */
class MariaDbObservationTests extends ObservationOnServerTests {

	MariaDbObservationTests() {
		super(TestDatabase.MARIADB);
	}

}

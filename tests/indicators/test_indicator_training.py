"""Training indicators."""


def test_a_producer_trained_twice_is_counted_once(program):
    program.beneficiary("P1")
    program.session("S1", held_on="2019-03-10")
    program.session("S2", held_on="2019-05-10", module="nkalo_info")
    program.attended("S1", "P1")
    program.attended("S2", "P1")
    value = program.indicator("trained_producers", period="201903B")
    assert (value.value, value.target) == (1, 2000)


def test_trained_producers_count_only_sessions_held_by_the_period_end(program):
    program.beneficiary("P1")
    program.beneficiary("P2")
    program.session("S1", held_on="2019-06-30")
    program.session("S2", held_on="2019-07-01")
    program.attended("S1", "P1")
    program.attended("S2", "P2")
    assert program.indicator("trained_producers", period="201903B").value == 1


def test_a_trainer_session_does_not_train_producers(program):
    program.beneficiary("P1")
    program.beneficiary("T1", category="trainer")
    program.session("S1", held_on="2019-03-10", audience="trainer")
    program.attended("S1", "P1")
    program.attended("S1", "T1")
    assert program.indicator("trained_producers", period="201903B").value == 0
    assert program.indicator("trained_trainers", period="201903B", compute=False).value == 1


def test_trained_producers_are_split_by_cercle_and_gender(program):
    program.beneficiary("P1", cercle="San", gender="F")
    program.beneficiary("P2", cercle="Tominian", gender="M")
    program.beneficiary("P3", cercle="San", gender="M")
    program.session("S1", held_on="2019-03-10")
    for producer in ("P1", "P2", "P3"):
        program.attended("S1", producer)
    program.compute("201903B")
    assert program.indicator("trained_producers", "201903B", compute=False, cercle="San").value == 2
    assert program.indicator("trained_producers", "201903B", compute=False, gender="M").value == 2


def test_sessions_held_count_only_the_period_by_module(program):
    program.session("S1", held_on="2019-04-30")
    program.session("S2", held_on="2019-05-01", module="health_standards")
    program.session("S3", held_on="2019-06-30", audience="trainer")
    assert program.indicator("training_sessions_held", period="201903B").value == 2
    assert (
        program.indicator("training_sessions_held", "201903B", compute=False, module="health_standards").value
        == 1
    )

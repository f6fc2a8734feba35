"""Workshop and repository tooling: what turns the notebooks into a course and keeps them honest.

* `agenda`: measured notebook times, the facilitator guide's agenda and each notebook's "Time to run";
* `book`: the static HTML book (`make book`);
* `student`: student copies with the exercise solutions removed (`make student`);
* `offline_kit`: everything a workshop room needs without a network (`make offline-kit`; the texts it writes
  are in `offline_kit_texts`);
* `notebook_outputs`: executes notebooks in place on the embedded default (`make notebooks`);
* `backend_matrix`: runs notebooks on each backend's server and writes README's matrix.
"""

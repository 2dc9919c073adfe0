"""The web pages of the tasks (included by saferplace/web/urls.py, under the app name "web")."""

from django.urls import path

from saferplace.web.views import tasks

urlpatterns: list = [
    path("tasks/", tasks.task_list, name="task-list"),
    path("tasks/new/", tasks.task_new, name="task-create"),
    path("tasks/<int:task_id>/", tasks.task_detail, name="task-detail"),
    path("tasks/<int:task_id>/accept", tasks.task_accept, name="task-accept"),
    path("tasks/<int:task_id>/take", tasks.task_take, name="task-take"),
    path("tasks/<int:task_id>/decline", tasks.task_decline, name="task-decline"),
    path("tasks/<int:task_id>/reassign", tasks.task_reassign, name="task-reassign"),
    path("tasks/<int:task_id>/note", tasks.task_note, name="task-note"),
    path("tasks/<int:task_id>/photo", tasks.task_photo, name="task-photo"),
    path("tasks/<int:task_id>/answer", tasks.task_answer, name="task-answer"),
    path("tasks/<int:task_id>/complete", tasks.task_complete, name="task-complete"),
    path("tasks/<int:task_id>/cancel", tasks.task_cancel, name="task-cancel"),
    path("tasks/photos/<int:photo_id>", tasks.task_photo_file, name="task-photo-file"),
]

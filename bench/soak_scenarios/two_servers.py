"""pg and pg+redis: two gunicorns on one PostgreSQL database (per-process caches, or the shared Redis cache);
every write (a publish, an entity edit, an alias, an admin save) must show on both servers within a second."""

import threading
import time

from .common import PASSWORD, STORY, Servers, Tally, admin_edit, login, publish, readers, setup_django, wait_visible


def scenario_two_servers(smoke):
    setup_django()
    from django.contrib.auth import get_user_model

    from entities.models import Alias, Entity, Role

    publish(0)
    get_user_model().objects.create_superuser("soak-admin", password=PASSWORD)
    tally, stop = Tally(), threading.Event()
    servers = Servers(2)
    try:
        editor = login(servers.urls[0], tally, "soak-admin")
        pool = readers(tally, servers.urls, stop)
        for i in range(1, 3 if smoke else 5):
            publish(i)
            wait_visible(tally, servers.urls, f"/stories/{STORY}/", f"〔v{i}〕", time.monotonic())
            entity = Entity.objects.get(slug="alibaba")
            entity.description = f"中國的科技公司〔e{i}〕。"
            entity.save()
            wait_visible(tally, servers.urls, "/entities/alibaba/", f"〔e{i}〕", time.monotonic())
            Alias.objects.create(entity=entity, text=f"阿里別名{i}號", lang="zh-Hant")
            wait_visible(tally, servers.urls, "/entities/alibaba/", f"阿里別名{i}號", time.monotonic())
            # An editor's save through the admin of one server is seen on the other (a role's title shows on
            # its person's page).
            role = Role.objects.filter(person__slug="person-1").order_by("pk").first()
            if role is not None and admin_edit(editor, servers.urls[0], f"/admin/entities/role/{role.pk}/change/",
                                               {"title": f"職稱{i}號"}, tally):
                wait_visible(tally, servers.urls[1:] + servers.urls[:1], "/entities/person-1/", f"職稱{i}號",
                             time.monotonic())
            time.sleep(0.2 if smoke else 0.5)
        stop.set()
        for thread in pool:
            thread.join()
    finally:
        servers.stop()
    return tally

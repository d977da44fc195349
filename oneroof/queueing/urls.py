from django.urls import path

from oneroof.queueing import staff_views, visitor_views

app_name = "queueing"
urlpatterns = [
    # Visitors (no sign-in): the kiosk of a center and a ticket followed from its QR code.
    path("kiosk/<slug:center>/", visitor_views.kiosk_home, name="kiosk"),
    path("kiosk/<slug:center>/<slug:agency>/", visitor_views.kiosk_agency, name="kiosk-agency"),
    path(
        "kiosk/<slug:center>/<slug:agency>/<slug:service>/",
        visitor_views.kiosk_service,
        name="kiosk-service",
    ),
    path("t/<str:public_id>/", visitor_views.ticket_page, name="ticket"),
    path("t/<str:public_id>/print/", visitor_views.ticket_print, name="ticket-print"),
    path("t/<str:public_id>/qr.svg", visitor_views.ticket_qr, name="ticket-qr"),
    # Staff: the counter console; and the display board of a center (a TV, no sign-in).
    path("console/", staff_views.console_home, name="console"),
    path("console/<int:counter_id>/", staff_views.console, name="console-counter"),
    path("board/<slug:center>/", staff_views.board, name="board"),
    path("board/<slug:center>/state/", staff_views.board_state_view, name="board-state"),
    path(
        "announcements/<str:lang>/<str:key>.wav",
        staff_views.announcement_clip,
        name="announcement-clip",
    ),
]
